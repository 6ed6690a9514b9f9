"""JSON endpoints: session types, slots, bookings and manage links (DESIGN.md contracts)."""

from ninja import Router

router = Router(tags=["booking"])
