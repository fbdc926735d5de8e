"""Canned replies: saved answers an operator inserts with a /shortcut, personalised on the way in."""
