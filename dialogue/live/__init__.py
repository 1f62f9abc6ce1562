"""The live session: check-in, the speakers' queue with timed turns, the snapshot and its Socket.IO room."""
