"""Monitoring programmes: register, logic models, targets, tracking, value for money, appraisal."""
