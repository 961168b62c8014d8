"""Tỉnh ủy số — the machinery of a provincial Party Committee."""
