"""Routing: path templates, the router, and path operations."""

from transom.routing.api import APIRoute, DependencyOverrides, RouteHandler, RouteOptions
from transom.routing.api_router import APIRouter
from transom.routing.router import BaseRoute, Match, Mount, NoMatchFound, Route, Router
from transom.routing.websocket import APIWebSocketRoute, WebSocketRoute

__all__ = [
    "APIRoute",
    "APIRouter",
    "APIWebSocketRoute",
    "BaseRoute",
    "DependencyOverrides",
    "Match",
    "Mount",
    "NoMatchFound",
    "Route",
    "RouteHandler",
    "RouteOptions",
    "Router",
    "WebSocketRoute",
]
