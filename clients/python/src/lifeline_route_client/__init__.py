"""lifeline route client: send AI-provider traffic where lifeline's route says."""
from .client import AllAttemptsFailedError, AttemptContext, AttemptRecord, Picked, RouteClient, RouteEmergencyError
from .pick import plan_attempts, weighted_pick

__all__ = [
    "RouteClient",
    "RouteEmergencyError",
    "AllAttemptsFailedError",
    "AttemptContext",
    "AttemptRecord",
    "Picked",
    "plan_attempts",
    "weighted_pick",
]
__version__ = "0.1.0"
