"""The API's views, one module per resource. Each is thin: read the validated request, check the
records exist, call the service the screens call, present the result."""
