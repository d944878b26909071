"""workflow (layer 3): BPMN 2.0 processes on SpiffWorkflow, task inbox, deadlines, diagrams.

Only ``engine.py`` imports SpiffWorkflow; everything else talks to the engine's small facade.
"""
