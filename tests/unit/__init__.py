# Import Dragon before any oslo library so its threading backend is chosen.
import dragon  # noqa: F401
