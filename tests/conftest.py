"The reference semantics is MLX on the CPU: on GPU machines MLX's own kernels differ (see bench/device_semantics.py)."
import mlx.core as mx

mx.set_default_device(mx.cpu)
