"""Seeded generator of realistic marketing and sales exports, with their ground truth."""
