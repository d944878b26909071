"""In-app notifications (消息提醒): urging, tasks handed over, deadlines that passed."""
