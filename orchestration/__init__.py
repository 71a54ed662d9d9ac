"""common-funnel: one funnel that marketing and sales both sign."""
