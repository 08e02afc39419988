"""Routing: path templates, the router, and path operations."""

from transom.routing.api import APIRoute, APIRouter, DependencyOverrides, RouteOptions
from transom.routing.router import BaseRoute, Mount, Route, Router

__all__ = [
    "APIRoute",
    "APIRouter",
    "BaseRoute",
    "DependencyOverrides",
    "Mount",
    "Route",
    "RouteOptions",
    "Router",
]
