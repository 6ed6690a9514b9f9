"""Pages: public.py (coach page, slot picker, booking form), manage.py (/b/<token>/), feed.py."""
