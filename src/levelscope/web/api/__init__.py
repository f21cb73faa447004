"""REST API routers, one module per concept."""
