"""Versioned notifications: what Dragon tells the message bus about its runs."""
