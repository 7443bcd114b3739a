"""Contact lists: reading voter files, recognising their columns, normalising and importing them."""
