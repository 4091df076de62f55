"""PDF rendering of the one-stop forms (fpdf2): the page toolkit, the forms, the registry."""
