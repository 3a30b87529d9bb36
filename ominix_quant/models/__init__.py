"""MLX model code written here, for families no installed library implements (`models.bert`; the vision-language model next)."""
