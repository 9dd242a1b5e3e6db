"""The semester build rehearsed on a CPU against loopback stand-ins (make rehearsal)."""
