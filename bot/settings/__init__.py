"""Settings: the flat environment variables (env), the frozen group each layer is given
(groups), and the views that cut the first into the second."""
