"""Course offerings and bookings: what can be booked, who is booked (services), bookings as
planned completions for the what-if (bookings), and their pages (forms, tables, views, urls)."""
