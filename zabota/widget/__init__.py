"""The web chat widget: our own channel, embedded on a customer's site with one script tag."""
