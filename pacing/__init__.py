"""Predictive pacing: estimators, dialing policies and a discrete-event simulator.

Pure numpy. No I/O, no asyncio, no Asterisk: the engine and the simulator drive the same objects.
"""
