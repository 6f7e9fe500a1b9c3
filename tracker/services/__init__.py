"""Every write to the domain goes through a service here, named <entity>_<action>."""
