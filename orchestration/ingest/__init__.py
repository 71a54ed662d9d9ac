"""Ingestion: landed export files into the warehouse's raw schemas, loss-free."""
