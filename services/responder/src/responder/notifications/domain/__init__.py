"""Pure decisions of notifications: what a notice says, who gets it, when to try again."""
