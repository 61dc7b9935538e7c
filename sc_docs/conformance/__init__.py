"""Check a returned agreement against its pro forma and read its fill-ins back."""
