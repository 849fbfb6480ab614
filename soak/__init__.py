"""The soak: mixed traffic from simulated users against a real server stack (`make soak`)."""
