"""OSCAL 1.2.1 documents of a model and of an assessment (see docs/architecture.md, "OSCAL")."""
