"""The HTTP edge: aiohttp app factory, WebSocket endpoint, health, metrics, CLI."""
