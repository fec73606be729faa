-- Demo award record, from the 2020 "Dân vận khéo" article of Thanh tra tỉnh (Kiên Giang): the
-- model of its Phòng Thanh tra phòng, chống tham nhũng was given a Giấy khen by the Đảng ủy Khối
-- các cơ quan tỉnh for the 2016-2018 phase. Until issue 14 it was recorded here as history; it now
-- comes with its (assumed) decision, through its dossier, in sql/demo/0013_dossiers.sql, which
-- also removes the history record an earlier load made.
SELECT 1;
