SELECT email AS email, COUNT(id) AS "count_of_open_tickets" FROM mp.demo_service.tickets WHERE t.status = 'open'
