"""Every write goes through a function here: validated, atomic, named <entity>_<action>."""
