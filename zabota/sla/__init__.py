"""Service level targets per department: business hours, due times, breach flags."""
