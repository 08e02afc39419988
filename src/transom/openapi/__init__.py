"""OpenAPI: the document generated from route plans, and offline interactive docs."""
