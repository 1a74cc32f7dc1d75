"""hotel-vouchers: gift vouchers and discount codes for hotels."""
