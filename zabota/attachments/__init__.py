"""Files that operators and customers attach to messages, stored in the database."""
