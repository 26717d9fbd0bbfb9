"""What people read: Block Kit messages, modals, the Home tab and the record; pure."""
