"""Pages of the meetings module: drafts, meetings, follow-ups. Thin: fetch through
``tinhuy.meetings.access``, validate with a form, write through an action, render."""
