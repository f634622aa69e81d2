namespace ConsentPlatform.Telephony;

/// <summary>
/// Time zones of North American (+1) area codes, for the contact window. Which area codes are in
/// service, and where, is libphonenumber's to say (<see cref="WorldNumbers"/>).
/// </summary>
internal static class Nanp
{
    // Main IANA zone(s) per US/CA area code. An area code split by a zone line lists every zone it
    // touches, so quiet hours hold on both sides of the line.
    private static readonly (string Zone, string Npas)[] ZonesByNpa =
    [
        ("America/New_York",
            "203 475 860 959 302 202 771 239 305 321 352 386 407 561 645 656 689 727 728 754 772 786 813 863 904 941 954 " +
            "229 404 470 478 678 706 762 770 912 943 502 606 859 270 364 207 227 240 301 410 443 667 339 351 413 508 617 774 " +
            "781 857 978 603 201 551 609 640 732 848 856 862 908 973 212 315 332 347 363 516 518 585 607 624 631 646 680 716 " +
            "718 838 845 914 917 929 934 252 336 472 704 743 828 910 919 980 984 216 220 234 283 326 330 380 419 436 440 513 " +
            "567 614 740 937 215 223 267 272 412 445 484 570 582 610 717 724 814 835 878 401 803 821 839 843 854 864 802 276 " +
            "434 540 571 703 757 804 826 948 304 681 423 865 850 448"),
        ("America/Indiana/Indianapolis", "260 317 463 574 765 812 930"),
        ("America/Detroit", "231 248 269 313 517 586 616 679 734 810 906 947 989"),
        ("America/Chicago",
            "219 812 930 270 364 906 850 448 205 251 256 334 483 659 938 327 479 501 870 217 224 309 312 331 447 464 618 630 " +
            "708 730 773 779 815 847 861 872 319 515 563 641 712 316 620 785 913 225 318 337 504 985 218 320 507 612 651 763 " +
            "952 228 601 662 769 235 314 417 557 573 636 660 816 975 402 531 308 701 605 405 539 572 580 918 615 629 731 901 " +
            "931 210 214 254 281 325 346 361 409 430 432 469 512 682 713 726 737 806 817 830 832 903 936 940 945 956 972 979 " +
            "262 274 353 414 534 608 715 920"),
        ("America/Denver", "620 785 308 701 605 303 719 720 970 983 406 505 575 385 435 801 307 915 928"),
        ("America/Boise", "208 986 458 541"),
        ("America/Phoenix", "480 520 602 623 928"),
        ("America/Los_Angeles",
            "208 986 209 213 279 310 323 341 350 357 369 408 415 424 442 510 530 559 562 619 626 628 650 657 661 669 707 714 " +
            "738 747 760 805 818 820 831 837 840 858 909 916 925 949 951 702 725 775 458 503 541 971 206 253 360 425 509 564"),
        ("America/Anchorage", "907"),
        ("Pacific/Honolulu", "808"),
        ("America/Vancouver", "236 250 257 604 672 778"),
        ("America/Edmonton", "236 250 257 672 778 368 403 587 780 825 867"),
        ("America/Regina", "306 474 639"),
        ("America/Winnipeg", "204 431 584 807 867"),
        ("America/Toronto",
            "226 249 289 343 365 382 416 437 519 548 647 683 705 742 753 905 942 263 354 367 418 438 450 468 514 579 581 819 " +
            "873 807 867"),
        ("America/Moncton", "428 506"),
        ("America/Halifax", "782 902"),
        ("America/St_Johns", "709 879"),
        ("America/Goose_Bay", "709 879"),
        ("America/Whitehorse", "867"),
    ];

    private static readonly string[]?[] ZoneTable = BuildZones();

    private static string[]?[] BuildZones()
    {
        var lists = new List<string>?[1000];
        foreach (var (zone, npas) in ZonesByNpa)
        {
            foreach (var npa in npas.Split(' '))
            {
                var list = lists[int.Parse(npa, System.Globalization.CultureInfo.InvariantCulture)] ??= [];
                if (!list.Contains(zone))
                {
                    list.Add(zone);
                }
            }
        }
        return Array.ConvertAll(lists, l => l?.ToArray());
    }

    /// <summary>IANA zones for a US/CA area code, or null when the code is not geographic or not known.</summary>
    internal static string[]? ZonesFor(int npa) => (uint)npa < 1000 ? ZoneTable[npa] : null;
}
