"""The REST resources of a :class:`~dttools_sdk.DTTools` client, one module per area."""
