"""The ``tinhuy`` command: Django's management commands under friendlier names."""

from __future__ import annotations

import os
import sys

ALIASES = {
    "import-structure": "import_structure",
    "study-remind": "study_remind",
    "study-warm": "study_warm",
    "meetings-remind": "meetings_remind",
    "programs-remind": "programs_remind",
    "search-reindex": "search_reindex",
}

USAGE = """\
Tỉnh ủy số — dòng lệnh quản trị.

Cách dùng: tinhuy LỆNH [tùy chọn]      (tinhuy LỆNH --help để xem chi tiết)

  serve               chạy máy chủ (gunicorn) tại http://127.0.0.1:8000 ($PORT để đổi cổng)
  demo                nạp dữ liệu mẫu và tài khoản mẫu (chạy lại không thay đổi gì)
  import-structure    nhập cơ cấu tổ chức từ tệp CSV hoặc .xlsx
  token create TÊN    tạo mã truy cập API cho tài khoản TÊN
  gazetteer import|export|publish   nhập, xuất nội dung Địa chí dạng tệp; công bố ấn bản
  study-remind        gửi thư nhắc các đơn vị sắp đến hạn, quá hạn học tập, quán triệt
  study-warm          tính sẵn tiến độ từng tỉnh của kế hoạch toàn quốc (chạy sau nửa đêm)
  meetings-remind     gửi thư nhắc việc Ban Thường vụ giao sắp đến hạn, quá hạn
  programs-remind     gửi thư nhắc báo cáo tiến độ chậm, nhiệm vụ chương trình quá hạn
  search-reindex      dựng lại chỉ mục tìm kiếm (khi TINHUY_SEARCH_ENGINE=tantivy)
  backup TỆP          sao lưu cơ sở dữ liệu (SQLite) ra TỆP
  restore TỆP         phục hồi cơ sở dữ liệu (SQLite) từ TỆP
  migrate             tạo/cập nhật bảng dữ liệu

Mọi lệnh quản trị của Django cũng dùng được (tinhuy help để xem danh sách).
"""


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help"}:
        sys.stdout.write(USAGE)
        return 0
    args[0] = ALIASES.get(args[0], args[0])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tinhuy.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["tinhuy", *args])
    return 0


if __name__ == "__main__":
    sys.exit(main())
