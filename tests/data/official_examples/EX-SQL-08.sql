SELECT email AS email, COUNT(id) AS "count_of_open_tickets", LAST_UPDATED_DATE_TIME FROM mp.demo_service.tickets WHERE t.status = 'open'
