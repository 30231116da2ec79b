"""Pure collaboration core: y-websocket codec, awareness, limits and per-connection session.

Nothing here does I/O, reads the clock or imports asyncio; it is tested without sockets.
"""

from collab.close import Close, CloseCode
from collab.errors import DTToolsError, ProtocolError
from collab.limits import Limits
from collab.session import SyncSession

__all__ = ["Close", "CloseCode", "DTToolsError", "Limits", "ProtocolError", "SyncSession"]
