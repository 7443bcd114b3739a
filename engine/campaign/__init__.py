"""Running campaigns: hopper -> pacer -> originate -> connect -> record -> attempt -> recycle."""
