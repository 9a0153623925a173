"""`make bench`: the figures of issue 12 ("Fast at every step"), each against its goal.

Everything here measures the app only through stable interfaces (URLs, `render.render_pdf`,
`assessment_state`, `sample_assessment`), on a database of its own, with synthetic models made by
`models.py`. Goals are ratios to a reference measured in the same run (interleaved, medians), so a
busy machine slows both sides alike; where the goal is absolute, the reference is printed beside it.
"""
