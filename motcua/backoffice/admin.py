"""Vietnamese titles for the Django admin, where the catalog, internal processes, agencies,
staff and roles, and declared days off / make-up days are kept (each app registers its own
models; this module only names the site)."""

from django.contrib import admin

admin.site.site_header = "Quản trị hệ thống một cửa điện tử"
admin.site.site_title = "Quản trị một cửa"
admin.site.index_title = (
    "Danh mục thủ tục, quy trình nội bộ, cơ quan, cán bộ và vai trò, ngày nghỉ và ngày làm bù"
)
