"""Help center: categories and articles in Russian and English, a public portal, and search."""
