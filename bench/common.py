"What every benchmark prints first: the device it ran on."
import os, platform


def cpu_name() -> str:
    "The CPU's model name (Linux: /proc/cpuinfo), else what the platform says."
    if os.path.exists('/proc/cpuinfo'):
        return next((l.split(':', 1)[1].strip() for l in open('/proc/cpuinfo') if l.startswith('model name')), platform.processor())
    return platform.processor()
