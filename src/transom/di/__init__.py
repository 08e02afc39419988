"""Dependency injection: signatures analysed into a plan at startup, solved per request."""
