"""Definition proposals: what a changed definitions file would do, before both teams sign."""
