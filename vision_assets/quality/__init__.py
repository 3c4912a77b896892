"""Data quality of the landings: what each business line sent, what was loaded, held back or refused."""
